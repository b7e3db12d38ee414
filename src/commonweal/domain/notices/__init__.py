"""Procurement Act 2023 notices (`kinds`, `build`), the duty calendar (`duties`) and the Local Government
Transparency Code 2015 and payments data (`transparency`). Pure: no I/O, no Django."""
