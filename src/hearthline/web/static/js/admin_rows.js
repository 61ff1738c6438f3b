// An editable list of small records (skills with levels, outcomes, form fields,
// reasons): one row of inputs per record, add and remove buttons, read back as objects.

import { h } from "./dom.js";

/**
 * @param {object} spec rows: initial records; columns: [{name, label, type?, options?,
 *   list?, narrow?, value?}]; add: the add button's text.
 * @returns {HTMLElement} with readRows() -> [{column: value}]
 */
export function rowsEditor({ rows, columns, add }) {
  const body = h("div", { class: "rows" });
  const box = h("div", { class: "rows-editor" }, body);
  let listId = null;
  for (const c of columns) {
    if (c.list) {
      listId = `list-${Math.random().toString(36).slice(2)}`;
      box.append(h("datalist", { id: listId }, c.list().map((v) => h("option", { value: v }))));
      c._listId = listId;
    }
  }
  const addRow = (record = {}) => {
    const cells = columns.map((c) => {
      const value = record[c.name] ?? c.value ?? "";
      const attrs = { "aria-label": c.label, placeholder: c.label, class: c.narrow ? "narrow" : null, dataset: { col: c.name } };
      if (c.type === "checkbox") {
        return h("label", { class: "check small", title: c.label }, h("input", { ...attrs, type: "checkbox", checked: Boolean(value) }), c.label);
      }
      if (c.options) {
        return h("select", attrs, c.options.map((o) => h("option", { value: o, selected: o === value }, o)));
      }
      return h("input", { ...attrs, type: c.type || "text", value: String(value), list: c._listId || null, autocomplete: "off" });
    });
    const remove = h("button", { type: "button", class: "small quiet", "aria-label": "Remove this row" }, "×");
    const row = h("div", { class: "row" }, cells, remove);
    remove.addEventListener("click", () => row.remove());
    body.append(row);
    return row;
  };
  for (const r of rows) addRow(r);
  box.append(
    h("button", {
      type: "button",
      class: "small",
      onclick: () => addRow().querySelector("input, select").focus(),
    }, `+ ${add}`),
  );
  box.readRows = () =>
    [...body.querySelectorAll(".row")].map((row) => {
      const record = {};
      for (const el of row.querySelectorAll("[data-col]")) {
        record[el.dataset.col] = el.type === "checkbox" ? el.checked : el.type === "number" ? Number(el.value) : el.value.trim();
      }
      return record;
    });
  return box;
}
