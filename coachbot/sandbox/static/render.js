// Drawing Bot API messages as Telegram shows them: text with its entities, photos,
// animations, documents, locations and inline keyboards. Builds DOM nodes (never HTML
// strings), so nothing the bot sends can inject markup into the page.
"use strict";

const Render = (() => {
  const TAGS = {
    bold: "strong", italic: "em", underline: "u", strikethrough: "s", code: "code",
    pre: "pre", blockquote: "blockquote", expandable_blockquote: "blockquote",
  };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // One entity's element; its children are added by `build`.
  function entityNode(entity, covered, ctx) {
    if (TAGS[entity.type]) return el(TAGS[entity.type]);
    if (entity.type === "text_link" || entity.type === "url" || entity.type === "email") {
      const href = entity.type === "text_link" ? entity.url
        : entity.type === "email" ? `mailto:${covered}` : covered;
      const a = el("a", "link");
      a.href = /^[a-z]+:/i.test(href) ? href : `https://${href}`;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.addEventListener("click", (event) => ctx.link(a.href, event));
      return a;
    }
    if (entity.type === "bot_command") {
      const span = el("span", "command");
      span.setAttribute("role", "button");
      span.tabIndex = 0;
      span.addEventListener("click", () => ctx.command(covered.split("@")[0]));
      return span;
    }
    if (entity.type === "spoiler") {
      const span = el("span", "spoiler");
      span.addEventListener("click", () => span.classList.toggle("shown"));
      return span;
    }
    return el("span");
  }

  // Text from `start` to `end` into `parent`, with the entities inside that range
  // (sorted by offset, longest first), nested as Telegram nests them.
  function build(text, start, end, entities, parent, ctx) {
    let pos = start;
    let i = 0;
    while (i < entities.length) {
      const entity = entities[i];
      const from = Math.max(entity.offset, pos);
      if (from >= end) break;
      const to = Math.min(entity.offset + entity.length, end);
      let j = i + 1;
      while (j < entities.length && entities[j].offset < to) j++;
      if (from > pos) parent.append(text.slice(pos, from));
      const node = entityNode(entity, text.slice(from, to), ctx);
      build(text, from, to, entities.slice(i + 1, j), node, ctx);
      parent.append(node);
      pos = Math.max(pos, to);
      i = j;
    }
    if (pos < end) parent.append(text.slice(pos, end));
  }

  function formatted(text, entities, ctx) {
    const node = el("div", "text");
    const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
    build(text, 0, text.length, sorted, node, ctx);
    return node;
  }

  function fileUrl(fileId) {
    return `/files/${encodeURIComponent(fileId)}`;
  }

  function size(bytes) {
    if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  }

  function picture(fileId, alt) {
    const link = el("a");
    link.href = fileUrl(fileId);
    link.target = "_blank";
    const img = el("img", "media");
    img.src = fileUrl(fileId);
    img.alt = alt;
    img.loading = "lazy";
    link.append(img);
    return link;
  }

  function documentCard(doc, ctx) {
    const link = el("a", "doc");
    link.href = fileUrl(doc.file_id);
    link.target = "_blank";
    link.append(el("span", "icon", doc.mime_type === "application/pdf" ? "📕" : "📄"));
    const label = el("span", "", doc.file_name || "document");
    label.append(el("small", "", `${size(doc.file_size || 0)} · ${ctx.t("open")}`));
    link.append(label);
    return link;
  }

  function keyboard(message, ctx) {
    const rows = (message.reply_markup || {}).inline_keyboard;
    if (!rows) return null;
    const box = el("div", "inline-keyboard");
    for (const row of rows) {
      const line = el("div", "row");
      for (const button of row) {
        const b = el("button", "", button.text);
        b.type = "button";
        if (button.callback_data !== undefined) {
          b.addEventListener("click", () => ctx.tap(message, button, b));
        } else if (button.url) {
          b.addEventListener("click", (event) => ctx.link(button.url, event, true));
        }
        line.append(b);
      }
      box.append(line);
    }
    return box;
  }

  // One message as a list item: its bubble and, under it, its inline keyboard.
  function message(m, ctx) {
    const item = el("li", m.mine ? "message mine" : "message");
    item.dataset.messageId = m.message_id;
    const bubble = el("div", "bubble");
    if (m.photo && m.photo.length) {
      bubble.append(picture(m.photo[m.photo.length - 1].file_id, ctx.t("photo")));
    } else if (m.animation) {
      bubble.append(picture(m.animation.file_id, ctx.t("animation")));
    } else if (m.document) {
      bubble.append(documentCard(m.document, ctx));
    }
    if (m.location) {
      const { latitude, longitude } = m.location;
      bubble.append(el("div", "text", `📍 ${ctx.t("location")}: ${latitude.toFixed(4)}, ${longitude.toFixed(4)}`));
    }
    if (m.sticker) bubble.append(el("div", "text", m.sticker.emoji || "🖼"));
    if (m.text !== undefined) bubble.append(formatted(m.text, m.entities, ctx));
    if (m.caption !== undefined) bubble.append(formatted(m.caption, m.caption_entities, ctx));
    const meta = el("div", "meta", ctx.time(m.date));
    if (m.edit_date) meta.textContent = `${ctx.t("edited")} ${meta.textContent}`;
    bubble.append(meta);
    item.append(bubble);
    const buttons = keyboard(m, ctx);
    if (buttons) item.append(buttons);
    return item;
  }

  return { message };
})();
