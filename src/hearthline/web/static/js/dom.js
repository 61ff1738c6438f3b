// Building and updating the page without a framework: h() makes elements, text is
// always set as text (never as HTML), so nothing a caller or customer typed can inject
// markup into an agent's or supervisor's page.

// No page sends a form to the server natively: each page's script handles its forms
// once it has loaded what it needs, and a submit before that (a quick click or Enter)
// would reload the page with the fields in the address, a password among them. Dialog
// forms keep their native close.
document.addEventListener(
  "submit",
  (event) => {
    if (event.target.getAttribute("method") !== "dialog") event.preventDefault();
  },
  true,
);

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "value") el.value = value;
    else if (key === "checked" || key === "disabled" || key === "selected") el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $$(selector, root = document) {
  return [...root.querySelectorAll(selector)];
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Sets text only when it changed: numbers that tick every second do not re-layout. */
export function setText(el, text) {
  const value = String(text);
  if (el && el.textContent !== value) el.textContent = value;
}

/** A short message at the bottom of the screen; errors stay until dismissed. */
export function toast(message, { kind = "info", timeout = 4000 } = {}) {
  let box = $("#toasts");
  if (!box) {
    box = h("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(box);
  }
  const close = h("button", { class: "toast-close", type: "button", "aria-label": "Dismiss" }, "×");
  const item = h("div", { class: `toast toast-${kind}` }, h("span", {}, message), close);
  close.addEventListener("click", () => item.remove());
  box.append(item);
  // A few at a time: older news gives way to newer.
  while (box.children.length > 3) box.firstElementChild.remove();
  if (kind !== "error" || timeout > 4000) setTimeout(() => item.remove(), timeout);
  return item;
}

/** Options for a <select>, keeping the current choice when it still exists. */
export function setOptions(select, options, { placeholder = null } = {}) {
  const current = select.value;
  const items = [];
  if (placeholder !== null) items.push(h("option", { value: "" }, placeholder));
  for (const { value, label } of options) items.push(h("option", { value }, label));
  select.replaceChildren(...items);
  if ([...select.options].some((o) => o.value === current)) select.value = current;
}
