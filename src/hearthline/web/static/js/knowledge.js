// Knowledge, for administrators and supervisors: articles (edit, versions, archive) and
// bulletins (publish to an audience, follow who read, acknowledged and answered, answer
// questions, make an article of one). The API checks everything; its messages are shown
// as they are. Only the server-sanitized HTML of a body is set as HTML.

import { get, post, put, seg } from "./api.js";
import { $, fill, h, toast } from "./dom.js";
import { dateTime, humanize } from "./format.js";
import { requireUser, signOutSession } from "./session.js";

const ui = { user: null, clients: [], articles: [], current: null, bulletin: null };

const list = (value) => value.split(",").map((s) => s.trim()).filter(Boolean);
const day = (epoch) => (epoch ? new Date(epoch * 1000).toISOString().slice(0, 10) : "");
const epochOfDay = (value) => (value ? Date.parse(`${value}T00:00:00Z`) / 1000 : null);

async function start() {
  ui.user = await requireUser(["admin", "supervisor"]);
  $("#who").textContent = ui.user.display_name || ui.user.username;
  $("#admin-link").classList.toggle("hidden", ui.user.role !== "admin");
  $("#signout").addEventListener("click", () => signOutSession());
  ui.clients = await get("/api/clients");
  const options = ui.clients.map((c) => h("option", { value: c.id }, c.name || c.id));
  fill($("#a-client"), options.map((o) => o.cloneNode(true)));
  const firmWide = ui.user.role === "admin" || !ui.user.client_id;
  fill($("#b-client"), firmWide ? h("option", { value: "" }, "Every client (the firm's own)") : null, options);
  if (ui.user.role === "admin") {
    $("#ack-setting-label").classList.remove("hidden");
    $("#ack-setting").checked = (await get("/api/knowledge/settings")).ack_before_ready;
    $("#ack-setting").addEventListener("change", saveSetting);
  }
  $("#new-article").addEventListener("click", () => edit(null));
  $("#article-form").addEventListener("submit", saveArticle);
  $("#archive-article").addEventListener("click", archiveArticle);
  $("#article-filter").addEventListener("input", renderArticles);
  $("#bulletin-form").addEventListener("submit", publish);
  $("#to-article").addEventListener("click", toArticle);
  const due = new Date(Date.now() + 86400000);
  $("#b-due").value = due.toISOString().slice(0, 16);
  await Promise.all([loadArticles(), loadBulletins()]);
  edit(null);
}

// Articles ----------------------------------------------------------------------------------------

async function loadArticles() {
  ui.articles = await get("/api/knowledge/articles?archived=true");
  renderArticles();
}

function renderArticles() {
  const q = $("#article-filter").value.toLowerCase();
  const rows = ui.articles.filter((a) => !q || a.title.toLowerCase().includes(q) || a.client_id.includes(q));
  fill(
    $("#article-list"),
    rows.length
      ? rows.map((a) =>
          h(
            "li",
            { dataset: { article: String(a.id) } },
            h("button", { type: "button", class: "link", onclick: () => edit(a.id) }, a.title),
            h("span", { class: "small muted" }, `${a.client_id} · v${a.version} · ${humanize(a.status)}`),
          ),
        )
      : h("li", { class: "muted" }, "No articles yet."),
  );
}

async function edit(id) {
  const a = id === null ? null : await get(`/api/knowledge/articles/${seg(id)}`);
  ui.current = a;
  $("#editor-title").textContent = a ? a.title : "New article";
  $("#article-version").textContent = a ? `version ${a.version}, ${humanize(a.status)}` : "";
  $("#a-client").value = a ? a.client_id : $("#a-client").value;
  $("#a-client").disabled = Boolean(a);
  $("#a-title").value = a ? a.title : "";
  $("#a-body").value = a ? a.body : "";
  $("#a-campaigns").value = a ? a.campaigns.join(", ") : "";
  $("#a-skills").value = a ? a.skills.join(", ") : "";
  $("#a-tags").value = a ? a.tags.join(", ") : "";
  $("#a-owner").value = a ? a.owner : "";
  $("#a-review").value = a ? day(a.review_at) : "";
  $("#a-expires").value = a ? day(a.expires_at) : "";
  $("#a-note").value = "";
  $("#archive-article").classList.toggle("hidden", !a);
  $("#archive-article").textContent = a && a.archived ? "Restore" : "Archive";
  preview(a ? a.html : null);
  fill($("#article-versions"), h("li", { class: "muted" }, a ? "Reading the versions…" : NO_VERSIONS));
  if (a) {
    const versions = await get(`/api/knowledge/articles/${seg(a.id)}/versions`);
    if (ui.current !== a) return; // another article was opened meanwhile
    fill(
      $("#article-versions"),
      versions.length
        ? versions.map((v) => h("li", {}, `v${v.version} · ${dateTime(v.changed_at)} · ${v.changed_by}`, v.note ? ` — ${v.note}` : ""))
        : h("li", { class: "muted" }, NO_VERSIONS),
    );
  }
}

// Before the first save the Preview and Versions say what will appear under them.
const NO_PREVIEW = "The article as agents will read it appears here once it is saved.";
const NO_VERSIONS = "Each save is kept as a version, listed here with who made it and why.";

function preview(html) {
  if (html) $("#article-preview").innerHTML = html; // sanitized by the server
  else fill($("#article-preview"), h("p", { class: "muted" }, html === null ? NO_PREVIEW : "The article has no body."));
}

async function saveArticle(ev) {
  ev.preventDefault();
  const body = {
    client_id: $("#a-client").value,
    title: $("#a-title").value,
    body: $("#a-body").value,
    campaigns: list($("#a-campaigns").value),
    skills: list($("#a-skills").value),
    tags: list($("#a-tags").value),
    owner: $("#a-owner").value,
    review_at: epochOfDay($("#a-review").value),
    expires_at: epochOfDay($("#a-expires").value),
    note: $("#a-note").value,
  };
  try {
    const saved = ui.current
      ? await put(`/api/knowledge/articles/${seg(ui.current.id)}`, { ...body, version: ui.current.version })
      : await post("/api/knowledge/articles", body);
    toast(`Saved: version ${saved.version}.`, { kind: "ok" });
    await loadArticles();
    await edit(saved.id);
  } catch (err) {
    toast(err.message, { kind: "error" });
  }
}

async function archiveArticle() {
  if (!ui.current) return;
  try {
    await post(`/api/knowledge/articles/${seg(ui.current.id)}/archive`, { archived: !ui.current.archived });
    await loadArticles();
    await edit(ui.current.id);
  } catch (err) {
    toast(err.message, { kind: "error" });
  }
}

// Bulletins ---------------------------------------------------------------------------------------

async function loadBulletins() {
  const bulletins = await get("/api/knowledge/bulletins");
  fill(
    $("#bulletin-list"),
    bulletins.length
      ? bulletins.map((b) =>
          h(
            "li",
            { dataset: { bulletin: String(b.id) } },
            h("button", { type: "button", class: "link", onclick: () => showReceipts(b.id) }, b.mandatory ? `${b.title} (mandatory)` : b.title),
            h("span", { class: "small muted" }, `${b.client_id || "every client"} · due ${dateTime(b.due_at)}`),
          ),
        )
      : h("li", { class: "muted" }, "No bulletins yet."),
  );
}

async function publish(ev) {
  ev.preventDefault();
  const due = Date.parse($("#b-due").value);
  const body = {
    client_id: $("#b-client").value || null,
    title: $("#b-title").value,
    body: $("#b-body").value,
    question: $("#b-question").value,
    campaigns: list($("#b-campaigns").value),
    skills: list($("#b-skills").value),
    due_at: Number.isFinite(due) ? due / 1000 : 0,
    mandatory: $("#b-mandatory").checked,
  };
  try {
    const sent = await post("/api/knowledge/bulletins", body);
    toast(`Published to ${sent.agents} agents.`, { kind: "ok" });
    $("#b-title").value = "";
    $("#b-body").value = "";
    $("#b-question").value = "";
    await loadBulletins();
    await showReceipts(sent.id);
  } catch (err) {
    toast(err.message, { kind: "error" });
  }
}

async function showReceipts(id) {
  const data = await get(`/api/knowledge/bulletins/${seg(id)}/receipts`);
  ui.bulletin = data.bulletin;
  $("#receipts-title").textContent = `Acknowledgements: ${data.bulletin.title}`;
  $("#to-article").classList.remove("hidden");
  $("#receipt-detail").classList.remove("hidden");
  const c = data.counts;
  $("#receipt-counts").textContent =
    `${c.total} agents: ${c.unread} unread, ${c.read} read, ${c.acknowledged} acknowledged, ${c.answered} answered, ${c.overdue} overdue`;
  fill(
    $("#receipt-rows"),
    data.receipts.map((r) =>
      h(
        "tr",
        { dataset: { agent: r.agent_id } },
        h("td", {}, r.agent_name || r.agent_id),
        h("td", { class: r.overdue ? "overdue" : "" }, r.overdue ? `${humanize(r.progress)}, overdue` : humanize(r.progress)),
        h("td", {}, r.read_at ? dateTime(r.read_at) : "–"),
        h("td", {}, r.acked_at ? dateTime(r.acked_at) : "–"),
        h("td", {}, r.answer || ""),
      ),
    ),
  );
  const questions = await get(`/api/knowledge/bulletins/${seg(id)}/questions`);
  fill(
    $("#bulletin-questions"),
    questions.length
      ? questions.map((q) => {
          const input = h("input", { "aria-label": "Answer", maxlength: "2000" });
          const answer = async (ev) => {
            ev.preventDefault();
            try {
              await post(`/api/knowledge/questions/${seg(q.id)}/answer`, { text: input.value });
              await showReceipts(id);
            } catch (err) {
              toast(err.message, { kind: "error" });
            }
          };
          return h(
            "li",
            {},
            h("span", {}, `${q.agent_id}: ${q.text}`),
            q.answer ? h("span", { class: "small" }, `${q.answered_by}: ${q.answer}`) : h("form", { onsubmit: answer }, input, h("button", { type: "submit", class: "small" }, "Answer")),
          );
        })
      : h("li", { class: "muted" }, "No questions."),
  );
}

async function toArticle() {
  if (!ui.bulletin) return;
  const client = ui.bulletin.client_id || $("#a-client").value;
  try {
    const article = await post(`/api/knowledge/bulletins/${seg(ui.bulletin.id)}/article`, { client_id: client });
    toast("The article is made; edit it on the left.", { kind: "ok" });
    await loadArticles();
    await edit(article.id);
  } catch (err) {
    toast(err.message, { kind: "error" });
  }
}

async function saveSetting() {
  try {
    await put("/api/knowledge/settings", { ack_before_ready: $("#ack-setting").checked });
    toast("Saved.", { kind: "ok" });
  } catch (err) {
    toast(err.message, { kind: "error" });
  }
}

start();
