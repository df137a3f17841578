// The sandbox page: the chats of a therapist and their patients with the real bot, and
// the bot's clock. State comes from /api/state (long-polled); what a person does goes
// to the small JSON API, which hands it to the embedded Bot API as their Telegram would.
"use strict";

const TEXTS = {
  en: {
    title: "Coachbot sandbox", subtitle: "The real bot, without Telegram", botTime: "Bot time",
    toSession: "⏭ Next session", plusDay: "+1 day", toMonday: "Next Monday 07:30",
    addPatient: "+ Patient", patient: "Patient", therapist: "Therapist",
    english: "English", german: "Deutsch", message: "Message", send: "Send", menu: "Commands",
    start: "Start", empty: "No messages yet. Tap Start to open the chat with the bot.",
    emptyTherapist: "No messages yet.",
    shareLocation: "Share location", pickCity: "Pick a city", orCoordinates: "or enter coordinates",
    latitude: "Latitude", longitude: "Longitude", cancel: "Cancel", newPatient: "Add a patient",
    name: "Name", language: "Language", add: "Add", openLinkAs: "Open this link as …",
    openLinkHint: "In real life the therapist sends this link to a patient, who opens it in Telegram.",
    newPerson: "a new patient", open: "open", photo: "Picture", animation: "Animation",
    location: "Location", edited: "edited",
    noSession: "No session is planned yet. Enrol a patient first: tap Start in a patient's chat.",
    moving: "Time passes …", moved: "Bot time is now {time}.",
    offline: "The sandbox is not answering. Is it still running?",
    failed: "That did not work: {reason}", refused: "the sandbox refused it",
  },
  de: {
    title: "Coachbot-Sandbox", subtitle: "Der echte Bot, ohne Telegram", botTime: "Zeit des Bots",
    toSession: "⏭ Nächste Einheit", plusDay: "+1 Tag", toMonday: "Nächster Montag 07:30",
    addPatient: "+ Patient/in", patient: "Patient/in", therapist: "Therapeut/in",
    english: "English", german: "Deutsch", message: "Nachricht", send: "Senden", menu: "Befehle",
    start: "Starten", empty: "Noch keine Nachrichten. Tippen Sie auf „Starten“, um den Chat mit dem Bot zu öffnen.",
    emptyTherapist: "Noch keine Nachrichten.",
    shareLocation: "Standort teilen", pickCity: "Stadt wählen", orCoordinates: "oder Koordinaten eingeben",
    latitude: "Breitengrad", longitude: "Längengrad", cancel: "Abbrechen", newPatient: "Patient/in hinzufügen",
    name: "Name", language: "Sprache", add: "Hinzufügen", openLinkAs: "Diesen Link öffnen als …",
    openLinkHint: "Im echten Leben schickt die Therapeutin oder der Therapeut diesen Link an eine Patientin oder einen Patienten, die ihn in Telegram öffnen.",
    newPerson: "neue Patientin / neuer Patient", open: "öffnen", photo: "Bild", animation: "Animation",
    location: "Standort", edited: "bearbeitet",
    noSession: "Noch ist keine Einheit geplant. Melden Sie zuerst jemanden an: im Chat einer Patientin oder eines Patienten auf „Starten“ tippen.",
    moving: "Die Zeit vergeht …", moved: "Zeit des Bots jetzt: {time}.",
    offline: "Die Sandbox antwortet nicht. Läuft sie noch?",
    failed: "Das hat nicht geklappt: {reason}", refused: "die Sandbox hat es abgelehnt",
  },
};

const CITIES = [
  ["Berlin", 52.52, 13.405], ["Hamburg", 53.551, 9.994], ["München", 48.137, 11.575],
  ["Köln", 50.938, 6.96], ["Wien", 48.208, 16.373], ["Zürich", 47.377, 8.541],
  ["London", 51.507, -0.128], ["Lisboa", 38.722, -9.139], ["New York", 40.713, -74.006],
  ["Tokyo", 35.676, 139.65], ["Sydney", -33.869, 151.209],
];

const app = {
  lang: localStorage.getItem("sandbox.lang") || (navigator.language || "en").slice(0, 2),
  state: null,
  active: null, // the chat shown on a phone-sized screen
  drawn: {}, // person id -> the messages last drawn (JSON), to redraw only what changed
  skew: 0, // the bot's clock minus the browser's, in ms
  locationFor: null,
  link: null,
};
if (!TEXTS[app.lang]) app.lang = "en";

function t(key, values = {}) {
  const text = (TEXTS[app.lang] || TEXTS.en)[key] || TEXTS.en[key] || key;
  return text.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
}

const $ = (selector, root = document) => root.querySelector(selector);

function translatePage() {
  document.documentElement.lang = app.lang;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  const other = app.lang === "de" ? "en" : "de";
  const button = $("#language");
  button.textContent = other.toUpperCase();
  button.setAttribute("aria-label", other === "de" ? "Deutsch" : "English");
  app.drawn = {};
  $("#toast").hidden = true;
  if (app.state) draw(app.state);
}

let toastTimer = null;
function toast(text) {
  const box = $("#toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 4000);
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const answer = response.headers.get("Content-Type")?.includes("json") ? await response.json() : await response.text();
  if (!response.ok && response.status !== 409) {
    // The server's reason is for developers (English); people get it in the page's language.
    console.warn(`${path}: ${response.status}`, answer);
    throw new Error(t("refused"));
  }
  return answer;
}

function zone() {
  return app.state ? app.state.clock.zone : "UTC";
}

function formatClock(ms) {
  return new Intl.DateTimeFormat(app.lang, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone(),
  }).format(new Date(ms));
}

function formatTime(unix) {
  return new Intl.DateTimeFormat(app.lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone() })
    .format(new Date(unix * 1000));
}

function showClock() {
  $("#clock").textContent = `${formatClock(Date.now() + app.skew)} (${zone()})`;
}

// ------------------------------------------------------------------ drawing

function context(person) {
  return {
    t,
    time: formatTime,
    command: (command) => sendText(person, command),
    link: (url, event, fromButton) => followLink(url, event, fromButton),
    tap: (message, button, node) => tap(person, message, button, node),
  };
}

function chatColumn(person) {
  let column = document.getElementById(`chat-${person.id}`);
  if (column) return column;
  column = document.createElement("section");
  column.className = "chat";
  column.id = `chat-${person.id}`;
  column.dataset.role = person.role;
  column.innerHTML = `
    <header><span class="avatar"></span><div><b class="name"></b><small class="who"></small></div></header>
    <ol class="messages" aria-live="polite"></ol>
    <div class="reply-keyboard" hidden></div>
    <form class="composer" autocomplete="off">
      <button type="button" class="menu" aria-haspopup="true">☰</button>
      <button type="button" class="share-location">📍</button>
      <input name="text" maxlength="4096">
      <button class="send" type="submit">➤</button>
    </form>`;
  const form = $(".composer", column);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = form.text.value.trim();
    if (!text) return;
    form.text.value = "";
    sendText(person, text);
  });
  $(".menu", column).addEventListener("click", () => toggleCommands(person, column));
  $(".share-location", column).addEventListener("click", () => askLocation(person));
  $("#chats").append(column);
  return column;
}

function drawChat(person) {
  const column = chatColumn(person);
  $(".avatar", column).textContent = person.name.slice(0, 1).toUpperCase();
  $(".name", column).textContent = person.name;
  const language = person.language === "de" ? t("german") : t("english");
  $(".who", column).textContent = `${t(person.role)} · ${language}`;
  const form = $(".composer", column);
  form.text.placeholder = t("message");
  form.text.setAttribute("aria-label", `${t("message")} (${person.name})`);
  $(".menu", column).setAttribute("aria-label", t("menu"));
  $(".share-location", column).setAttribute("aria-label", t("shareLocation"));
  $(".send", column).setAttribute("aria-label", t("send"));

  const signature = JSON.stringify(person.messages);
  if (app.drawn[person.id] !== signature) {
    app.drawn[person.id] = signature;
    const list = $(".messages", column);
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    // A new message scrolls into view, as in Telegram's open chat; an edit further up
    // (a keyboard changing) leaves the reader where they are.
    const grew = person.messages.length !== Number(list.dataset.count || -1);
    const ctx = context(person);
    list.replaceChildren(...withDays(person.messages, ctx));
    if (!person.messages.length) list.append(emptyChat(person));
    if (atBottom || grew) {
      list.scrollTop = list.scrollHeight;
      // Pictures take their height once loaded: stay at the bottom meanwhile.
      for (const img of list.querySelectorAll("img")) {
        img.addEventListener("load", () => { list.scrollTop = list.scrollHeight; }, { once: true });
      }
    }
    list.dataset.count = String(person.messages.length);
  }
  drawReplyKeyboard(person, column);
}

function formatDay(unix) {
  return new Intl.DateTimeFormat(app.lang, { weekday: "long", day: "numeric", month: "long", timeZone: zone() })
    .format(new Date(unix * 1000));
}

// The messages, with the day between them whenever it changes (the clock moves on).
function withDays(messages, ctx) {
  const items = [];
  let day = null;
  for (const m of messages) {
    const today = formatDay(m.date);
    if (today !== day) {
      const chip = document.createElement("li");
      chip.className = "day";
      chip.textContent = today;
      items.push(chip);
      day = today;
    }
    items.push(Render.message(m, ctx));
  }
  return items;
}

function emptyChat(person) {
  const note = document.createElement("li");
  note.className = "empty";
  note.textContent = t(person.role === "patient" ? "empty" : "emptyTherapist");
  if (person.role === "patient") {
    const start = document.createElement("button");
    start.type = "button";
    start.className = "start";
    start.textContent = t("start");
    start.addEventListener("click", () => sendText(person, "/start"));
    note.append(document.createElement("br"), start);
  }
  return note;
}

function drawReplyKeyboard(person, column) {
  const box = $(".reply-keyboard", column);
  const rows = person.keyboard ? person.keyboard.keyboard : null;
  box.hidden = !rows;
  box.replaceChildren();
  if (!rows) return;
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "row";
    for (const raw of row) {
      const button = typeof raw === "string" ? { text: raw } : raw;
      const node = document.createElement("button");
      node.type = "button";
      node.textContent = button.text;
      node.addEventListener("click", () => {
        if (button.request_location) askLocation(person);
        else sendText(person, button.text);
      });
      line.append(node);
    }
    box.append(line);
  }
}

function toggleCommands(person, column) {
  const form = $(".composer", column);
  const open = $(".commands", form);
  if (open) { open.remove(); return; }
  const current = app.state.people.find((p) => p.id === person.id) || person;
  const list = document.createElement("ul");
  list.className = "commands";
  for (const command of current.commands) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    const name = document.createElement("b");
    name.textContent = `/${command.command}`;
    button.append(name, command.description);
    button.addEventListener("click", () => { list.remove(); sendText(person, `/${command.command}`); });
    item.append(button);
    list.append(item);
  }
  form.append(list);
}

function drawTabs(people) {
  const tabs = $("#tabs");
  tabs.replaceChildren(...people.map((person) => {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.textContent = person.name;
    tab.setAttribute("aria-selected", String(person.id === app.active));
    tab.addEventListener("click", () => { app.active = person.id; draw(app.state); });
    return tab;
  }));
}

function draw(state) {
  app.state = state;
  app.skew = Date.parse(state.clock.now) - Date.now();
  showClock();
  if (!state.people.some((p) => p.id === app.active)) {
    app.active = (state.people.find((p) => p.role === "patient") || state.people[0] || {}).id;
  }
  for (const person of state.people) {
    drawChat(person);
    document.getElementById(`chat-${person.id}`).classList.toggle("active", person.id === app.active);
  }
  drawTabs(state.people);
}

// ------------------------------------------------------------------ acting

async function run(action) {
  try {
    return await action();
  } catch (error) {
    // fetch() itself fails when the sandbox is gone.
    toast(error instanceof TypeError ? t("offline") : t("failed", { reason: error.message }));
    return null;
  }
}

function sendText(person, text) {
  return run(() => post("/api/send", { person: person.id, text }));
}

async function tap(person, message, button, node) {
  node.disabled = true;
  const result = await run(() => post("/api/tap", { person: person.id, message_id: message.message_id, data: button.callback_data }));
  node.disabled = false;
  if (!result) return;
  const answer = result.answer;
  if (answer && answer.text) {
    if (answer.show_alert) alert(answer.text);
    else toast(answer.text);
  }
}

function followLink(url, event, fromButton) {
  const bot = app.state.bot.username;
  const match = url.match(new RegExp(`^https?://t\\.me/${bot}\\?start=([\\w-]+)`, "i"));
  if (!match) {
    if (/^https?:\/\/t\.me\//i.test(url) || !fromButton) return; // an ordinary link opens
    event.preventDefault();
    window.open(url, "_blank", "noopener");
    return;
  }
  event.preventDefault();
  app.link = `/start ${match[1]}`;
  const choices = $("#link-people");
  const patients = app.state.people.filter((p) => p.role === "patient");
  choices.replaceChildren(...patients.map((person) => choice(person.name, () => sendText(person, app.link))));
  choices.append(choice(t("newPerson"), () => addPatient(app.link)));
  $("#link-dialog").showModal();
}

function choice(label, action) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.addEventListener("click", () => { $("#link-dialog").close(); action(); });
  return button;
}

function askLocation(person) {
  app.locationFor = person;
  const dialog = $("#location-dialog");
  dialog.returnValue = "";
  dialog.showModal();
}

function sendLocation(latitude, longitude) {
  const person = app.locationFor;
  $("#location-dialog").close();
  if (person) run(() => post("/api/location", { person: person.id, latitude, longitude }));
}

function addPatient(firstMessage) {
  const dialog = $("#person-dialog");
  $("#person-language").value = app.lang;
  $("#person-name").value = "";
  dialog.dataset.first = firstMessage || "";
  dialog.returnValue = "";
  dialog.showModal();
}

async function moveClock(to, button) {
  for (const b of document.querySelectorAll("[data-clock]")) b.disabled = true;
  toast(t("moving"));
  const result = await run(() => post("/api/clock", { to }));
  for (const b of document.querySelectorAll("[data-clock]")) b.disabled = false;
  if (!result) return;
  if (result.error === "no_session") { toast(t("noSession")); return; }
  app.skew = Date.parse(result.now) - Date.now();
  showClock();
  toast(t("moved", { time: formatClock(Date.parse(result.now)) }));
  button.focus();
}

// ------------------------------------------------------------------ set-up

async function poll() {
  let version = null;
  for (;;) {
    try {
      const response = await fetch(version === null ? "/api/state" : `/api/state?after=${version}`);
      if (!response.ok) throw new Error(response.statusText);
      const state = await response.json();
      $("#offline").hidden = true;
      version = state.version;
      draw(state);
    } catch (error) {
      $("#offline").hidden = false;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

function setUp() {
  for (const button of document.querySelectorAll("[data-clock]")) {
    button.addEventListener("click", () => moveClock(button.dataset.clock, button));
  }
  $("#add-patient").addEventListener("click", () => addPatient(""));
  $("#language").addEventListener("click", () => {
    app.lang = app.lang === "de" ? "en" : "de";
    localStorage.setItem("sandbox.lang", app.lang);
    translatePage();
  });
  $("#cities").replaceChildren(...CITIES.map(([name, lat, lon]) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = name;
    button.addEventListener("click", () => sendLocation(lat, lon));
    return button;
  }));
  $("#location-dialog").addEventListener("close", () => {
    const dialog = $("#location-dialog");
    if (dialog.returnValue !== "coordinates") return;
    const lat = Number($("#latitude").value), lon = Number($("#longitude").value);
    if ($("#latitude").value === "" || $("#longitude").value === "") return;
    if (Number.isFinite(lat) && Number.isFinite(lon)) sendLocation(lat, lon);
  });
  $("#person-dialog").addEventListener("close", async () => {
    const dialog = $("#person-dialog");
    if (dialog.returnValue !== "add") return;
    const person = await run(() => post("/api/people", { name: $("#person-name").value, language: $("#person-language").value }));
    if (!person) return;
    app.active = person.id;
    if (dialog.dataset.first) sendText(person, dialog.dataset.first);
  });
  setInterval(showClock, 10000);
  translatePage();
  poll();
}

document.addEventListener("DOMContentLoaded", setUp);
