// GOV.UK Frontend components (conditional radios, password reveal, error summary focus) as progressive
// enhancement: every page works without this script.
import { initAll } from "../govuk/govuk-frontend.min.js";
initAll();
