"""Where the council's money goes: suppliers named and resolved, classified (SME, large, VCSE, public body,
individual), concentration and dependency, and community partners and lotting advice for a planned contract."""
