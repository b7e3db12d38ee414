"""Contract management: KPIs, periodic returns, performance ratings (s.71 contract performance notice
categories), social value delivery, renegotiation triggers, two-sided reviews and the variations log checked
against the Procurement Act 2023 modification rules."""
