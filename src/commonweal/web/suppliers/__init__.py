"""The suppliers area (#21 item 5): each organisation's watchlist of the suppliers it depends on, their accounts
over the years, ratings with trend, warning signs, two-way dependency, and home page alerts."""
