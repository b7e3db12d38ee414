"""Tender evaluation: the evaluation model, scoring, moderation, price formulas, abnormally low tenders,
ranking, sensitivity and Procurement Act 2023 assessment summaries. Pure domain code."""
