// The quality page. Supervisors and administrators open a contact from the log and score
// it on its campaign's scorecard beside its notes, outcome and timeline, draw the week's
// fair sample and resolve disputes; an agent reads their own evaluations and acknowledges
// or disputes each; a client company's viewer reads its evaluations. The server scopes all.

import { ApiError, get, post } from "./api.js";
import { $, fill, h, setText, toast } from "./dom.js";
import { clockTime, dateTime } from "./format.js";
import { requireUser, signOutSession } from "./session.js";
import { players, recordingsOf } from "./recording_player.js";

const CHOICES = {
  yes_no: [[1, "Yes"], [0, "No"]],
  scale_1_5: [1, 2, 3, 4, 5].map((v) => [v, String(v)]),
  scale_0_10: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((v) => [v, String(v)]),
};

function problem(err, where) {
  setText($(where), err instanceof ApiError ? err.message : String(err));
}

/** "OfferAccepted" as "Offer accepted", with whom and where when the event says. */
function eventLabel(e) {
  const words = e.type.replace(/([a-z])([A-Z])/g, "$1 $2");
  const label = words.charAt(0) + words.slice(1).toLowerCase();
  return [label, e.agent, e.queue, e.disposition, e.step].filter((part) => typeof part === "string").join(" · ");
}

function story(ctx, recordings = []) {
  const c = ctx.contact;
  const player = players(recordings, c.events, eventLabel);
  const rows = [
    ["Contact", c.contact_id], ["Caller", c.caller], ["Queue", c.queue || "–"],
    ["Agents", ctx.agents.join(", ") || "–"], ["Outcome", c.disposition || c.ended_as || "–"],
  ];
  return [
    h("dl", { class: "facts" }, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    h("h3", {}, "Notes"), h("p", { class: "note", id: "story-note" }, c.note || "No notes."),
    h("h3", {}, "Call guide"),
    h("p", { id: "story-guide" }, c.guide && c.guide.length ? c.guide.join(" → ") : "Not followed."),
    h("h3", {}, "Recording"), ...player.nodes,
    h("h3", {}, "Timeline"),
    h("ol", { class: "timeline" }, ...c.events.map((e) => {
      const when = h("span", { class: "muted small" }, clockTime(e.at));
      // During a recording, an event is a place to listen from.
      const at = player.seek ? h("button", { type: "button", class: "link seek", onclick: () => player.seek(e.at) }, when) : when;
      return h("li", {}, at, " ", eventLabel(e));
    })),
  ];
}

function question(q) {
  const options = [...CHOICES[q.kind]];
  if (q.allow_na) options.push(["na", "N/A"]);
  return h("fieldset", { class: "question", dataset: { id: q.id } },
    h("legend", {}, q.text, q.critical ? h("span", { class: "critical" }, " critical") : null,
      h("span", { class: "muted small" }, ` × ${q.weight}`)),
    ...options.map(([value, label]) => h("label", { class: "choice" },
      h("input", { type: "radio", name: `q-${q.id}`, value: String(value) }), label)));
}

function answers(form, template) {
  const out = {};
  for (const section of template.sections) {
    for (const q of section.questions) {
      const picked = form.querySelector(`input[name="q-${q.id}"]:checked`);
      if (picked) out[q.id] = picked.value === "na" ? null : Number(picked.value);
    }
  }
  return out;
}

function scorecard(ctx) {
  const form = $("#scorecard");
  setText($("#card-title"), `Scorecard · ${ctx.template.campaign_id} v${ctx.template.version}`);
  const agent = h("select", { id: "eval-agent" }, ...ctx.agents.map((a) => h("option", { value: a }, a)));
  agent.value = ctx.agents[ctx.agents.length - 1] || "";
  fill(form,
    h("div", { class: "field" }, h("label", { for: "eval-agent" }, "Agent"), agent),
    ...ctx.template.sections.map((s) => h("section", {}, h("h3", {}, s.title), ...s.questions.map(question))),
    h("div", { class: "field" }, h("label", { for: "eval-comments" }, "Comments"), h("textarea", { id: "eval-comments", rows: 3 })),
    h("label", { class: "choice" }, h("input", { type: "checkbox", id: "eval-calibration" }), "Calibration scoring"),
    h("p", { class: "error", id: "eval-error", role: "alert" }),
    h("button", { type: "submit", class: "primary", id: "submit-evaluation" }, "Save evaluation"),
    h("p", { class: "result", id: "eval-result", role: "status" }));
  form.onsubmit = async (event) => {
    event.preventDefault();
    setText($("#eval-error"), "");
    try {
      const made = await post("/api/quality/evaluations", {
        contact_id: ctx.contact.contact_id, agent_id: agent.value || null,
        answers: answers(form, ctx.template), comments: $("#eval-comments").value,
        calibration: $("#eval-calibration").checked,
      });
      setText($("#eval-result"), `Saved: ${made.score} / 100${made.critical_fail ? " (critical item failed)" : ""}`);
      const ctxNow = await get(`/api/quality/contacts/${encodeURIComponent(ctx.contact.contact_id)}`);
      await showDone(ctx.contact.contact_id, ctxNow.evaluations);
    } catch (err) {
      problem(err, "#eval-error");
    }
  };
}

function coachingForm(e) {
  const text = h("input", { placeholder: "coaching note", "aria-label": `Coaching for ${e.id}` });
  return h("span", { class: "actions" }, text, h("button", { type: "button", onclick: async () => {
    try {
      await post(`/api/quality/evaluations/${e.id}/coaching`, { text: text.value });
      toast("Coaching note saved");
      text.value = "";
    } catch (err) {
      toast(err.message, { kind: "error" });
    }
  } }, "Add coaching note"));
}

/** Every scoring of the contact, and how far the evaluators stand apart per question. */
async function showDone(contact, done) {
  $("#done-panel").classList.toggle("hidden", done.length === 0);
  if (!done.length) return;
  const spread = await get(`/api/quality/calibration/${encodeURIComponent(contact)}`);
  const head = ["Question", "Scorings", "Low", "High", "Mean", "Std dev"];
  fill($("#spread-table"),
    h("thead", {}, h("tr", {}, ...head.map((t) => h("th", {}, t)))),
    h("tbody", {}, ...spread.spreads.map((s) => h("tr", {},
      h("td", {}, s.question || "Total score"), h("td", { class: "num" }, s.evaluations),
      ...[s.low, s.high, s.mean, s.stdev].map((v) => h("td", { class: "num" }, v))))));
  fill($("#done-list"), ...done.map((e) => h("div", { class: "evaluation", dataset: { id: e.id } },
    ...summary(e), e.calibration ? h("span", { class: "status" }, "calibration") : null, coachingForm(e))));
}

async function openContact(contact) {
  setText($("#staff-error"), "");
  $("#contact-id").value = contact;
  try {
    const [ctx, recordings] = await Promise.all([
      get(`/api/quality/contacts/${encodeURIComponent(contact)}`), recordingsOf(contact)]);
    fill($("#story"), ...story(ctx, recordings));
    scorecard(ctx);
    await showDone(contact, ctx.evaluations);
  } catch (err) {
    problem(err, "#staff-error");
  }
}

async function drawSample() {
  setText($("#staff-error"), "");
  try {
    const s = await get(`/api/quality/sample?quota=${encodeURIComponent($("#quota").value || "5")}`);
    const rows = s.agents.flatMap((a) => a.sample.map((c) => h("tr", {},
      h("td", {}, a.agent_id), h("td", {}, h("button", { type: "button", class: "link", onclick: () => openContact(c.contact_id) }, c.contact_id)),
      h("td", {}, c.queue), h("td", {}, c.outcome), h("td", {}, dateTime(c.at)))));
    fill($("#sample"), rows.length
      ? h("table", { id: "sample-table" }, h("thead", {}, h("tr", {}, ...["Agent", "Contact", "Queue", "Outcome", "When"].map((t) => h("th", {}, t)))), h("tbody", {}, ...rows))
      : h("p", { class: "empty" }, `No handled contacts in the week of ${s.week}.`));
  } catch (err) {
    problem(err, "#staff-error");
  }
}

function summary(e) {
  return [h("strong", {}, `${e.score} / 100`), " ", e.critical_fail ? h("span", { class: "critical" }, "critical fail ") : null,
    h("span", { class: "muted small" }, `${e.contact_id} · ${e.agent_id} · by ${e.evaluator} · ${dateTime(e.at)}`)];
}

async function loadDisputes() {
  const list = await get("/api/quality/disputes");
  fill($("#disputes"), list.length ? list.map((e) => {
    const comment = h("input", { placeholder: "resolution", "aria-label": `Resolution of ${e.id}` });
    const decide = (decision) => async () => {
      try {
        await post(`/api/quality/evaluations/${e.id}/resolve`, { decision, comment: comment.value });
        toast(`Evaluation ${e.id} ${decision === "uphold" ? "upheld" : "overturned"}`);
        await loadDisputes();
      } catch (err) {
        toast(err.message, { kind: "error" });
      }
    };
    return h("div", { class: "dispute", dataset: { id: e.id } }, ...summary(e),
      h("p", {}, "Agent: ", e.agent_comment || ""), comment,
      h("button", { type: "button", onclick: decide("uphold") }, "Uphold"),
      h("button", { type: "button", onclick: decide("overturn") }, "Overturn"));
  }) : h("p", { class: "empty" }, "No disputes waiting."));
}

async function showTrends() {
  const params = new URLSearchParams({ by: $("#trend-by").value });
  const question = $("#trend-question").value.trim();
  if (question) params.set("question", question);
  try {
    const points = await get(`/api/quality/trends?${params}`);
    const head = ["Week of", $("#trend-by").value === "team" ? "Team" : "Agent", "Evaluations", "Mean"];
    fill($("#trends"), points.length
      ? h("table", { id: "trend-table" }, h("thead", {}, h("tr", {}, ...head.map((t) => h("th", {}, t)))),
        h("tbody", {}, ...points.map((p) => h("tr", {}, h("td", {}, dateTime(p.period_start)), h("td", {}, p.who),
          h("td", { class: "num" }, p.evaluations), h("td", { class: "num" }, p.mean)))))
      : h("p", { class: "empty" }, "No evaluations in the last twelve weeks."));
  } catch (err) {
    problem(err, "#staff-error");
  }
}

async function mine() {
  const [list, trend] = await Promise.all([get("/api/quality/evaluations"), get("/api/quality/trends")]);
  const details = await Promise.all(list.map((e) => get(`/api/quality/evaluations/${e.id}`)));
  setText($("#my-trend"), trend.length ? `Weekly means: ${trend.map((p) => p.mean).join(" → ")}` : "");
  fill($("#mine"), list.length ? details.map((e) => {
    const comment = h("input", { placeholder: "comment", "aria-label": `Comment on ${e.id}` });
    const act = (what) => async () => {
      try {
        await post(`/api/quality/evaluations/${e.id}/${what}`, { comment: comment.value });
        await mine();
      } catch (err) {
        toast(err.message, { kind: "error" });
      }
    };
    const open = e.status === "open";
    return h("div", { class: "evaluation", dataset: { id: e.id } }, ...summary(e),
      h("span", { class: `status status-${e.status}` }, e.status),
      e.comments ? h("p", {}, e.comments) : null,
      e.agent_comment ? h("p", { class: "muted" }, "My comment: ", e.agent_comment) : null,
      e.resolution ? h("p", {}, "Resolution: ", e.resolution) : null,
      ...e.coaching.map((c) => h("p", { class: "coaching" }, `Coaching from ${c.author}: `, c.text)),
      open ? h("div", { class: "actions" }, comment,
        h("button", { type: "button", onclick: act("acknowledge") }, "Acknowledge"),
        h("button", { type: "button", onclick: act("dispute") }, "Dispute")) : null);
  }) : h("p", { class: "empty" }, "No evaluations yet."));
}

async function readOnly() {
  const list = await get("/api/quality/evaluations");
  fill($("#read-list"), list.length ? list.map((e) => h("div", { class: "evaluation" }, ...summary(e), h("span", { class: "status" }, e.status)))
    : h("p", { class: "empty" }, "No evaluations yet."));
}

async function main() {
  const user = await requireUser(["admin", "supervisor", "agent", "client_viewer"]);
  setText($("#who"), user.display_name || user.username);
  $("#signout").addEventListener("click", signOutSession);
  if (user.role === "agent") {
    $("#desk-link").classList.remove("hidden");
    $("#agent-view").classList.remove("hidden");
    await mine();
  } else if (user.role === "client_viewer") {
    $("#console-link").classList.remove("hidden");
    $("#read-view").classList.remove("hidden");
    await readOnly();
  } else {
    $("#console-link").classList.remove("hidden");
    $("#staff-view").classList.remove("hidden");
    $("#load-form").addEventListener("submit", (event) => {
      event.preventDefault();
      openContact($("#contact-id").value.trim());
    });
    $("#draw-sample").addEventListener("click", drawSample);
    $("#show-trends").addEventListener("click", showTrends);
    await loadDisputes();
    const asked = new URLSearchParams(location.search).get("contact");
    if (asked) await openContact(asked);
  }
}

main();
