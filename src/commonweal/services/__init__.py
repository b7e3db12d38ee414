"""Use cases shared by the CLI and the web app: load inputs through `commonweal.io`, run the domain core, return
plain results. The faces stay thin by calling these."""
