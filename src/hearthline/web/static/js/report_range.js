// The days the reports page's form asks for, as query parameters: a period and a day
// of it, or a custom first and last day. Every table on the page asks for the same.

import { $ } from "./dom.js";

export function range() {
  const params = new URLSearchParams();
  const period = $("#period").value;
  if (period === "custom") {
    params.set("start", $("#start").value);
    params.set("end", $("#end").value);
  } else {
    params.set("period", period);
    if ($("#date").value) params.set("date", $("#date").value);
  }
  return params;
}
