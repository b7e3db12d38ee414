"""The social value area: core values, the measures library (open and an organisation's own licensed one), PPN 002,
a tender's social value measures, commitments and delivery over time, SROI, maturity and the member report."""
