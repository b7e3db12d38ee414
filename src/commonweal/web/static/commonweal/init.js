// GOV.UK Frontend components (conditional radios, password reveal, error summary focus) as progressive
// enhancement: every page works without this script.
import { initAll } from "../govuk/govuk-frontend.min.js";
initAll();

// A form checked as the person types (`data-cw-check`, the tender builder): an answer is dropped when the form has
// changed since its check was sent, so nothing typed meanwhile is swapped away (that change sends its own check), and
// while one of the form's buttons is being pressed: pressing Continue straight after typing sends the field's check,
// and an answer swapped in before the press ends would replace the button under it, losing the click (the submit
// checks everything anyway).
let pressed = null; // the form whose button is being pressed
const press = (event) => {
  const button = event.target instanceof Element ? event.target.closest("button, input[type=submit]") : null;
  pressed = button && button.form && button.form.hasAttribute("data-cw-check") ? button.form : null;
};
// the press ends after its click, which follows the release in the same turn of the event loop
const release = () => setTimeout(() => { pressed = null; });
document.addEventListener("pointerdown", press, true);
document.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") press(event); }, true);
for (const name of ["pointerup", "pointercancel", "keyup"]) document.addEventListener(name, release, true);

document.addEventListener("htmx:beforeSwap", (event) => {
  const form = event.detail.requestConfig.elt; // the element that sent the check (`elt` is the swap's target)
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-cw-check")) return;
  if (pressed === form) {
    event.detail.shouldSwap = false;
    return;
  }
  const sent = event.detail.requestConfig.formData;
  for (const [name, value] of new FormData(form)) {
    if (sent.get(name) !== value) {
      event.detail.shouldSwap = false;
      return;
    }
  }
});

// The check's result read out (`#cw-check-status`, a polite live region the swap preserves): the problems the
// error summary now lists, or that there are none. Focus stays in the field being typed in (HTMX restores it by
// id): moving it to the summary at each change would take the person away from what they are typing.
document.addEventListener("htmx:afterSettle", () => {
  const status = document.getElementById("cw-check-status");
  if (!status) return;
  const problems = [...document.querySelectorAll(".govuk-error-summary__list a")].map((a) => a.textContent.trim());
  status.textContent = problems.length === 0 ? "No problems found"
    : `${problems.length === 1 ? "There is a problem" : `There are ${problems.length} problems`}: ${problems.join("; ")}`;
});
