"""Social value: a council's core values, a sourced measures library, bid commitments, anti-washing checks,
delivery tracking, SROI and a maturity self-assessment.

Every £ figure here comes from a measures library whose rows carry their source and licence; nothing in this
package invents a proxy value. Defaults we chose ourselves are named constants labelled "Commonweal default" and
are parameters of the functions that use them.
"""
