// GOV.UK Frontend components (conditional radios, password reveal, error summary focus) as progressive
// enhancement: every page works without this script.
import { initAll } from "../govuk/govuk-frontend.min.js";
initAll();

// A form checked as the person types (`data-cw-check`, the tender builder): an answer is dropped when the form has
// changed since its check was sent, so nothing typed meanwhile is swapped away (that change sends its own check).
document.addEventListener("htmx:beforeSwap", (event) => {
  const form = event.detail.requestConfig.elt; // the element that sent the check (`elt` is the swap's target)
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-cw-check")) return;
  const sent = event.detail.requestConfig.formData;
  for (const [name, value] of new FormData(form)) {
    if (sent.get(name) !== value) {
      event.detail.shouldSwap = false;
      return;
    }
  }
});
