// The agent desktop: state and reasons, the ringing offer, the contact in hand (customer,
// form, notes, script, call controls), wrap-up with an outcome, help, and my day.
//
// The desk (GET /api/agent/desk) is the truth; the stream's events say when it changed
// and ring the offer at once. Notes never wait for the network: see drafts.js.

import { ApiError, get, post, seg } from "./api.js";
import * as clock from "./clock.js";
import { $, h, setOptions, setText, toast } from "./dom.js";
import { duration, humanize, stateClass, stateLabel } from "./format.js";
import { DESK_KEY, endSession, requireUser, keepPagesOffline, settleDrafts } from "./session.js";
import { Stream } from "./stream.js";
import { isRinging, startRinging, stopRinging, unlock } from "./ring.js";
import { ContactDesk } from "./agent_contact.js";
import { SidePanels } from "./agent_side.js";
import { GuideDesk } from "./agent_guide.js";
import { Knowledge } from "./agent_knowledge.js";
import { pruneLocal } from "./drafts.js";
import { Softphone } from "./softphone.js";
import { Dialling } from "./dialling.js";
import { RecordingControl } from "./recording.js";
import { VoicemailPanel } from "./agent_voicemail.js";
import { ConsultAudio, ConsultDesk } from "./consult.js";

const HEARTBEAT_MS = 3000;

const app = {
  user: null,
  desk: null, // {agent, contact, campaign_id, forms}
  offer: null, // {contact, expires_at, total_s}
  seenEventId: 0, // the newest log event the stream has brought (a snapshot starts it again)
  wrapEndsAt: {}, // contact -> server time a timed wrap-up ends
  reasons: [],
  queues: [],
  campaigns: [],
  online: true,
  stream: null,
  contactDesk: null,
  side: null,
  streamStatus: "connecting",
  lostByServer: false,
};

// Start ----------------------------------------------------------------------------------------

async function start() {
  app.user = await requireUser(["agent"]);
  keepPagesOffline();
  pruneLocal();
  setText($("#who"), app.user.display_name || app.user.username);
  app.side = new SidePanels({ onHelp: openHelp });
  app.knowledge = new Knowledge(app.user.agent_id);
  app.knowledge.load();
  app.guide = new GuideDesk(app.user.agent_id);
  app.voicemail = new VoicemailPanel(); // the offer's and the contact panel's, one player
  app.contactDesk = new ContactDesk({
    agent: app.user.agent_id,
    onFinished: afterFinish,
    queues: () => app.queues,
    clientOf: (campaign) => (app.campaigns.find((c) => c.id === campaign) || {}).client_id || null,
    voicemail: app.voicemail,
  });
  app.consult = new ConsultDesk({
    customer: app.contactDesk.customer,
    queueName: (id) => {
      const q = app.queues.find((x) => x.id === id);
      return (q && q.name) || id || "–";
    },
    refresh: () => refreshDesk(),
  });
  wireControls();
  wireKeyboard();
  setInterval(tick, 250);
  if (app.user.offline) {
    startOffline();
  } else {
    await loadEverything();
  }
  app.stream = new Stream(
    {
      onSnapshot: (_data, lastId) => {
        app.seenEventId = lastId || 0;
        refreshDesk();
      },
      onEvent: onEvent,
      onReset: () => refreshDesk(),
      onMessage: onMessage,
      onStatus: onStreamStatus,
    },
    { heartbeatMs: HEARTBEAT_MS },
  );
  app.softphone = new Softphone({
    send: (message) => app.stream.send(message),
    onStatus: (text, live = false) => {
      setText($("#softphone-text"), text);
      $("#softphone").classList.toggle("live", live);
    },
    onError: (text) => toast(text),
    onChange: () => {
      renderMute();
      app.recording.render();
    },
  });
  app.recording = new RecordingControl({
    button: $("#recording-button"),
    flag: $("#recording-flag"),
    contact: () => (app.softphone.live ? app.softphone.contact : null),
    onError: (text) => toast(text),
  });
  app.dialling = new Dialling({
    button: $("#dial-button"),
    onStatus: (text) => setText($("#softphone-text"), text),
    onError: (text) => toast(text),
  });
  app.consultAudio = new ConsultAudio({ phone: app.softphone, send: (message) => app.stream.send(message) });
  window.hearthlineSoftphone = app.softphone; // for checking the call's audio
  window.hearthlineConsult = app.consultAudio; // and the consult's
  $("#mute-button").addEventListener("click", () => app.softphone.toggleMute());
  app.stream.start();
  window.addEventListener("online", () => {
    app.online = true;
    loadEverything();
    app.contactDesk.resend();
    app.knowledge.resync();
  });
  window.addEventListener("offline", () => {
    app.online = false;
    renderConnection();
  });
}

function startOffline() {
  app.online = false;
  const cached = JSON.parse(localStorage.getItem(DESK_KEY) || "null");
  if (cached) {
    app.desk = cached;
    render();
  }
  renderConnection();
}

async function loadEverything() {
  await refreshDesk();
  loadReasons();
  loadQueues();
  loadCampaigns();
  app.side.load();
}

async function loadReasons() {
  try {
    const reasons = await get("/api/reasons");
    app.allReasons = reasons;
    app.reasons = reasons.filter((r) => !r.system);
  } catch (err) {
    if (err.status === 404 || err.status === 405) app.reasons = [];
    else return;
  }
  const select = $("#reason-select");
  setOptions(
    select,
    app.reasons.map((r) => ({ value: r.id, label: r.label || humanize(r.id) })),
    { placeholder: app.reasons.length ? "Reason…" : "No reasons configured" },
  );
  renderState();
}

async function loadCampaigns() {
  try {
    app.campaigns = await get("/api/campaigns");
    render();
  } catch {
    return; // names fall back to ids
  }
  // Outcome labels for my day, from every campaign the agent works for.
  for (const c of app.campaigns) {
    get(`/api/campaigns/${seg(c.id)}/forms`).then((forms) => app.side.learnLabels(forms)).catch(() => {});
  }
}

// Transfer targets and offer timeouts. Agents may not list queues on every server;
// without the list, the transfer dialog takes a queue id as typed.
async function loadQueues() {
  try {
    app.queues = await get("/api/queues");
  } catch {
    app.queues = [];
  }
}

// The desk ---------------------------------------------------------------------------------------

let deskTimer = null;
let deskPending = null;

/** Re-reads the desk soon; bursts of events cost one request. */
function refreshDesk() {
  if (deskPending) return deskPending;
  deskPending = new Promise((resolve) => {
    clearTimeout(deskTimer);
    deskTimer = setTimeout(async () => {
      try {
        const response = await get("/api/agent/desk");
        app.desk = response;
        localStorage.setItem(DESK_KEY, JSON.stringify(response));
        app.online = true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          location.replace("/?next=/agent");
        } else if (err instanceof ApiError && err.network) {
          app.online = false;
        }
      } finally {
        deskPending = null;
        render();
        resolve();
      }
    }, 40);
  });
  return deskPending;
}

function agent() {
  return app.desk ? app.desk.agent : null;
}

function state() {
  const a = agent();
  return a ? a.state : "offline";
}

// Events -------------------------------------------------------------------------------------------

function onEvent(event, id, { live } = {}) {
  if (live) clock.observe(event.at);
  if (id > app.seenEventId) app.seenEventId = id;
  const mine = app.user.agent_id;
  // A consult's events name the colleague asked; the agent who asked hears of them too.
  const asked = event.asker === mine && event.agent !== mine;
  if (event.agent && event.agent !== mine && !asked) return;
  if (asked) app.consult.told(event);
  switch (event.type) {
    case "ConsultRequested":
      if (!asked) app.consult.rang(event);
      break;
    case "ContactOffered":
      showOffer({ contact: event.contact, expires_at: event.expires_at, offered_at: event.at });
      break;
    case "OfferAccepted":
    case "OfferDeclined":
    case "OfferTimedOut":
    case "OfferRescinded":
      if (app.offer && app.offer.contact === event.contact) hideOffer();
      if (event.type === "OfferTimedOut") toast("The contact was not answered in time.");
      if (event.type === "OfferRescinded") toast("The caller is gone; the offer was withdrawn.");
      break;
    case "WrapUpStarted":
      if (event.ends_at) app.wrapEndsAt[event.contact] = event.ends_at;
      break;
    case "AgentConnectionLost":
      app.lostByServer = true;
      renderConnection();
      break;
    case "AgentReconnected":
      app.lostByServer = false;
      renderConnection();
      break;
    case "DispositionRecorded":
      app.side.loadMyDay();
      break;
    // A break begun or ended shows in "Time on break" at once, not at the next refresh.
    case "AgentWentNotReady":
    case "AgentBecameAvailable":
      app.side.loadMyDay();
      break;
    case "ContactCompleted":
    case "ContactDropped":
      app.side.loadMyDay();
      break;
    default:
      break;
  }
  refreshDesk();
}

function onMessage(message) {
  if (message.type && message.type.startsWith("help")) app.side.helpNotice(message);
  if (message.type && message.type.startsWith("bulletin")) app.knowledge.notice(message);
  if (message.type === "voice-dial") app.dialling.handle(message);
  else if (message.type && message.type.startsWith("voice-consult")) app.consultAudio.handle(message);
  else if (message.type && message.type.startsWith("voice-")) app.softphone.handle(message);
  if (message.type === "shift-reminder") app.side.week.reminded(message);
}

function onStreamStatus(status) {
  app.streamStatus = status;
  if (status === "open") {
    app.online = true;
    app.lostByServer = false;
    app.contactDesk.resend();
  }
  if (status === "unauthorised") location.replace("/?next=/agent");
  renderConnection();
}

// Rendering ---------------------------------------------------------------------------------------

function render() {
  renderState();
  renderConnection();
  const desk = app.desk;
  const a = agent();
  const contact = desk ? desk.contact : null;
  // Dialling again is for the callback on the line, until it ends.
  const dialling = app.dialling;
  if (dialling && !(a && a.state === "on-contact" && contact && contact.id === dialling.contact)) dialling.clear();
  // A desk read older than an event the stream already brought (an offer that rang while
  // the read was on its way) must not ring or silence the offer: the events are newer,
  // and a fresh read follows.
  const stale = app.online && desk && desk.as_of < app.seenEventId;
  if (stale) {
    setTimeout(refreshDesk, 200);
  } else if (a && a.state === "reserved" && contact && !app.offer) {
    // Reloaded while ringing: ring again from the desk (the event is gone).
    const timeout = queueOfferTimeout(contact.queue);
    showOffer({ contact: contact.id, expires_at: contact.since + timeout, offered_at: contact.since });
  } else if (app.offer && !(a && a.state === "reserved")) {
    hideOffer();
  }
  if (app.offer) renderOfferDetails();
  if (!stale) app.consult.render(desk);
  // A consult that ended while this page could not hear of it (a server restart ends every
  // consult, and the next server has no consult audio to tell the page of): the desk shows
  // none, so its audio here ends too, and the call's microphone and speaker come back.
  const joined = app.consultAudio;
  const consultGone = joined && desk && !(desk.consult && desk.consult.contact === joined.contact);
  if (consultGone && joined.contact && app.streamStatus === "open" && !stale) joined.close();
  // A call that ended while this page could not hear of it (the server was restarting):
  // the center says the agent is off it, so its audio here ends too.
  const phone = app.softphone;
  const onIt = phone && a && (a.state === "on-contact" || a.state === "reserved") && a.contact === phone.contact;
  if (phone && phone.contact && app.streamStatus === "open" && !stale && desk && !onIt) phone.close("Call ended");
  const working = a && (a.state === "on-contact" || a.state === "wrap-up") && a.contact;
  if (working && contact) {
    app.contactDesk.show({
      contact,
      agentState: a.state,
      campaign: desk.campaign_id,
      forms: desk.forms,
      wrapEndsAt: app.wrapEndsAt[contact.id] || null,
      online: app.online,
      talkSince: a.state === "on-contact" ? a.since : null,
    });
    app.side.learnLabels(desk.forms);
  } else if (!app.contactDesk.holding()) {
    app.contactDesk.hide();
  } else {
    app.contactDesk.update({ agentState: a ? a.state : "offline", online: app.online });
  }
  // Accepted, the message moved to the contact panel above; else nobody sees it play.
  if (!app.offer) app.voicemail.pauseIn($("#offer-voicemail"));
  const showWork = app.contactDesk.visible;
  app.knowledge.context(working && contact ? contact.id : null);
  app.guide.context(working && contact ? contact.id : null);
  $("#work").classList.toggle("hidden", !showWork);
  $("#idle").classList.toggle("hidden", showWork);
  renderIdle();
  tick();
}

function queueOfferTimeout(queueId) {
  const q = app.queues.find((x) => x.id === queueId);
  return q && q.offer_timeout_s ? q.offer_timeout_s : 20;
}

function renderState() {
  const a = agent();
  const s = state();
  const lost = app.lostByServer || (a && a.connected === false && s !== "offline");
  const pill = $("#state-pill");
  pill.className = `pill ${stateClass(s, { lost: false })}`;
  setText(pill, stateLabel(s));
  const reason = a && a.reason && s === "not-ready" ? reasonLabel(a.reason) : "";
  setText($("#state-reason"), reason);
  setText($("#pending-reason"), a && a.pending_reason ? `Then: ${reasonLabel(a.pending_reason)}` : "");
  const signedIn = s !== "offline";
  const busy = s === "on-contact" || s === "wrap-up" || s === "reserved" || s === "consulting";
  $("#start-button").classList.toggle("hidden", signedIn);
  $("#stop-button").classList.toggle("hidden", !signedIn);
  $("#ready-button").classList.toggle("hidden", !signedIn);
  $("#reason-select").classList.toggle("hidden", !signedIn);
  $("#notready-button").classList.toggle("hidden", !signedIn);
  $("#ready-button").disabled = !app.online || s === "available" || busy;
  $("#notready-button").disabled = !app.online || !app.reasons.length;
  $("#stop-button").disabled = !app.online || busy;
  $("#start-button").disabled = !app.online;
  setText($("#notready-button"), busy ? "Not ready after this contact" : "Not ready");
  document.body.dataset.state = lost ? "lost" : s;
}

function reasonLabel(id) {
  const r = (app.allReasons || app.reasons).find((x) => x.id === id);
  if (r) return r.label;
  const system = {
    "signed-in": "Just signed in",
    "missed-offer": "Missed an offer",
    "connection-lost": "Connection lost",
    "system-restart": "System restart",
    "unread-bulletins": "Bulletins to acknowledge",
  };
  return system[id] || humanize(id);
}

function renderConnection() {
  const conn = $("#conn");
  const text = $(".text", conn);
  const banner = $("#banner");
  let cls = "conn ok";
  let label = "Connected";
  let bannerText = "";
  if (!navigator.onLine || !app.online || app.streamStatus === "offline") {
    cls = "conn down";
    label = "Offline";
    bannerText =
      "No connection: the server cannot hear you. Keep typing — your notes are kept in this browser and sent when the connection returns.";
  } else if (app.lostByServer) {
    cls = "conn down";
    label = "Server lost you";
    bannerText = "The server stopped hearing from this page; reconnecting…";
  } else if (app.streamStatus !== "open") {
    cls = "conn trying";
    label = "Reconnecting…";
  }
  conn.className = cls;
  setText(text, label);
  banner.classList.toggle("hidden", !bannerText);
  setText(banner, bannerText);
  $("#main").classList.toggle("with-banner", Boolean(bannerText));
  renderState();
}

function renderIdle() {
  const s = state();
  const title = $("#idle-title");
  const sub = $("#idle-sub");
  if (s === "offline") {
    setText(title, "Welcome");
    setText(sub, "Press Start work to sign in to your queues.");
  } else if (s === "available") {
    setText(title, "Ready — waiting for a contact");
    setText(sub, "An incoming contact rings here. Answer with A or Enter, decline with D or Esc.");
  } else if (s === "not-ready") {
    setText(title, "Not ready");
    setText(sub, "Press Ready (R) when you are ready for contacts.");
  } else if (s === "reserved") {
    setText(title, "Incoming contact");
    setText(sub, "");
  } else {
    setText(title, stateLabel(s));
    setText(sub, "");
  }
}

// Every quarter second: clocks and countdowns, without re-rendering anything else.
function tick() {
  const a = agent();
  setText($("#state-since"), a && a.state !== "offline" ? duration(clock.since(a.since)) : "–");
  if (app.offer) tickOffer();
  app.consult.tick();
  app.contactDesk.tick();
}

// The offer ---------------------------------------------------------------------------------------

function showOffer(offer) {
  const fresh = !app.offer || app.offer.contact !== offer.contact;
  app.offer = { ...offer, total_s: Math.max(1, offer.expires_at - offer.offered_at) };
  $("#offer-layer").classList.remove("hidden");
  renderOfferDetails();
  if (fresh) {
    $("#accept-button").disabled = false;
    $("#decline-button").disabled = false;
    prepareNotReadyAfter();
    $("#accept-button").focus();
    startRinging();
    if (document.hidden && "Notification" in window && Notification.permission === "granted") {
      new Notification("Incoming contact", { body: "Answer in Hearthline", tag: "hl-offer" });
    }
  }
}

// "Not ready after this contact" inside the ringing offer: the overlay covers the bar's
// button, and declining to get a break would count against the agent.
function prepareNotReadyAfter() {
  const options = app.reasons.map((r) => ({ value: r.id, label: r.label || humanize(r.id) }));
  setOptions($("#offer-reason"), options);
  // The reason chosen in the bar, else the first: one key (N) is enough.
  const chosen = $("#reason-select").value;
  if (chosen) $("#offer-reason").value = chosen;
  const a = agent();
  $("#offer-notready-button").disabled = !app.online || !options.length;
  $("#offer-after").classList.toggle("hidden", !options.length);
  setText($("#offer-then"), a && a.pending_reason ? `After this contact: not ready (${reasonLabel(a.pending_reason)})` : "");
}

async function notReadyAfterOffer() {
  if (!app.offer) return;
  const reason = $("#offer-reason").value;
  if (!reason) return;
  $("#offer-notready-button").disabled = true;
  try {
    await post("/api/agent/not-ready", { reason, after_contact: true });
    setText($("#offer-then"), `After this contact: not ready (${reasonLabel(reason)})`);
    $("#accept-button").focus();
  } catch (err) {
    toast(err.message, { kind: "error" });
  }
  $("#offer-notready-button").disabled = !app.online;
  refreshDesk();
}

function renderOfferDetails() {
  const desk = app.desk;
  const contact = desk && desk.contact && desk.contact.id === app.offer.contact ? desk.contact : null;
  const queue = contact ? app.queues.find((q) => q.id === contact.queue) : null;
  setText($("#offer-queue"), contact ? (queue && queue.name) || contact.queue || "–" : "…");
  setText($("#offer-campaign"), desk && contact ? campaignName(desk) : "…");
  setText($("#offer-caller"), contact ? contact.caller || "Unknown number" : "…");
  if (contact) app.contactDesk.customer.offerCustomer(contact, desk.campaign_id, $("#offer-customer"));
  if (contact) app.voicemail.show(contact, $("#offer-voicemail"));
}

function campaignName(desk) {
  const c = app.campaigns.find((x) => x.id === desk.campaign_id);
  return (c && c.name) || humanize(desk.campaign_id) || "–";
}

function tickOffer() {
  const left = clock.until(app.offer.expires_at);
  // On the center's clock, as every other time on the page (sped up in a demonstration).
  setText($("#offer-left"), left === null ? "–" : Math.ceil(left));
  const bar = $("#offer-bar");
  const ratio = left === null ? 1 : Math.max(0, Math.min(1, left / app.offer.total_s));
  bar.style.transform = `scaleX(${ratio})`;
}

function hideOffer() {
  app.offer = null;
  stopRinging();
  $("#offer-layer").classList.add("hidden");
}

async function accept() {
  if (!app.offer) return;
  const contact = app.offer.contact;
  $("#accept-button").disabled = true;
  $("#decline-button").disabled = true;
  stopRinging();
  try {
    await post(`/api/agent/offers/${seg(contact)}/accept`);
    hideOffer();
  } catch (err) {
    toast(err.message, { kind: "error" });
    hideOffer();
  }
  refreshDesk();
}

async function decline() {
  if (!app.offer) return;
  const contact = app.offer.contact;
  $("#accept-button").disabled = true;
  $("#decline-button").disabled = true;
  try {
    await post(`/api/agent/offers/${seg(contact)}/decline`);
  } catch (err) {
    toast(err.message, { kind: "error" });
  }
  hideOffer();
  refreshDesk();
}

// Actions -------------------------------------------------------------------------------------------

async function act(path, body, { quietErrors = false } = {}) {
  try {
    const result = await post(path, body);
    refreshDesk();
    return result;
  } catch (err) {
    if (!quietErrors) toast(err.message, { kind: "error" });
    refreshDesk();
    return null;
  }
}

function goReady() {
  unlock();
  renderSound();
  if (state() === "available") return;
  return act("/api/agent/ready");
}

function goNotReady() {
  const reason = $("#reason-select").value;
  if (!reason) {
    toast("Choose a reason first.");
    $("#reason-select").focus();
    return;
  }
  return act("/api/agent/not-ready", { reason });
}

async function afterFinish({ contact }) {
  app.side.loadMyDay();
  delete app.wrapEndsAt[contact];
  if (state() === "wrap-up") await act("/api/agent/wrap-up/finish", {}, { quietErrors: true });
  refreshDesk();
}

function openHelp() {
  const dialog = $("#help-dialog");
  $("#help-text").value = "";
  dialog.showModal();
  $("#help-text").focus();
}

function wireControls() {
  $("#start-button").addEventListener("click", () => {
    unlock();
    renderSound();
    act("/api/agent/sign-in", { ready: false });
  });
  $("#stop-button").addEventListener("click", () => act("/api/agent/sign-out"));
  $("#ready-button").addEventListener("click", goReady);
  $("#notready-button").addEventListener("click", goNotReady);
  $("#accept-button").addEventListener("click", accept);
  $("#decline-button").addEventListener("click", decline);
  $("#offer-notready-button").addEventListener("click", notReadyAfterOffer);
  $("#signout").addEventListener("click", async () => {
    const signedIn = state() !== "offline" && app.online;
    if (signedIn && state() !== "available" && state() !== "not-ready") {
      toast("Finish your contact before signing out.", { kind: "error" });
      return;
    }
    // Notes first: sent, or discarded only if the agent says so; Cancel changes nothing.
    if (!(await settleDrafts())) return;
    if (signedIn) await act("/api/agent/sign-out", undefined, { quietErrors: true });
    endSession();
  });
  $("#help-button").addEventListener("click", openHelp);
  $("#help-button-2").addEventListener("click", openHelp);
  $("#help-cancel").addEventListener("click", () => $("#help-dialog").close());
  $("#help-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = $("#help-text").value.trim();
    if (!text) return;
    const sent = await app.side.askHelp(text);
    if (sent) $("#help-dialog").close();
  });
  $("#sound-button").addEventListener("click", () => {
    unlock();
    renderSound();
  });
  document.addEventListener("pointerdown", () => {
    unlock();
    renderSound();
  }, { once: true });
  renderSound();
}

function renderSound() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  const on = Boolean(Ctx) && navigator.userActivation ? navigator.userActivation.hasBeenActive : false;
  setText($("#sound-button"), on ? "Sound: on" : "Sound: click to enable");
}

// The Mute button shows while the call's audio is in this page; "Muted" while it is off.
function renderMute() {
  const phone = app.softphone;
  const live = phone.live;
  const button = $("#mute-button");
  button.classList.toggle("hidden", !live);
  button.disabled = !live;
  button.replaceChildren(phone.muted ? "Unmute " : "Mute ", h("kbd", {}, "M"));
  button.setAttribute("aria-pressed", String(phone.muted));
  $("#mute-flag").classList.toggle("hidden", !(live && phone.muted));
}

// Keyboard: ringing A/Enter accept, D/Escape decline, N not ready after this contact;
// otherwise R ready, H hold/resume, M mute/unmute (a call in this page).
function wireKeyboard() {
  document.addEventListener("keydown", (ev) => {
    if (ev.altKey || ev.metaKey) return;
    const typing = ev.target.closest && ev.target.closest("input, textarea, select, [contenteditable]");
    if (app.offer) {
      const key = ev.key.toLowerCase();
      // Choosing the reason in the offer's own list: its keys are the list's.
      if (ev.target.id === "offer-reason" && key !== "escape") return;
      const onOtherButton = ev.target.closest && ev.target.closest("#decline-button, #offer-notready-button");
      if (key === "n") {
        ev.preventDefault();
        notReadyAfterOffer();
      } else if (key === "a" || (key === "enter" && !onOtherButton)) {
        ev.preventDefault();
        accept();
      } else if (key === "d" || key === "escape") {
        ev.preventDefault();
        decline();
      }
      return;
    }
    if (ev.ctrlKey && ev.key === "Enter" && state() === "wrap-up") {
      ev.preventDefault();
      app.contactDesk.submitWrapUp();
      return;
    }
    if (typing || ev.ctrlKey || document.querySelector("dialog[open]")) return;
    if (ev.key === "r" || ev.key === "R") {
      if (!$("#ready-button").disabled && !$("#ready-button").classList.contains("hidden")) {
        ev.preventDefault();
        goReady();
      }
    } else if (ev.key === "h" || ev.key === "H") {
      if (state() === "on-contact") {
        ev.preventDefault();
        app.contactDesk.toggleHold();
      }
    } else if (ev.key === "m" || ev.key === "M") {
      if (app.softphone && app.softphone.live) {
        ev.preventDefault();
        app.softphone.toggleMute();
      }
    }
  });
}

// Keep the ring honest if the tab was hidden and timers were throttled.
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && app.offer && !isRinging()) startRinging();
});

start();
