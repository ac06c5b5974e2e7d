"""Reads for the unit HR and bureau portals (requirements S10).

Scopes: a unit HR account sees the people of ``user.unit``; a bureau account sees the people whose
registry region is its region (a city: the city itself and all its counties; a county: itself).
Anything outside the scope is a 404, never a 403 that would reveal its existence.

Population: the current registry's active (在岗) workers — the notice's 培训对象. A worker's status
for a year is computed in SQL from the class (Enrollment, closed classes ignored) and live unpaid
orders:

* 已合格 ``qualified`` — the class is qualified;
* 学习中 ``learning`` — the class is open;
* 未缴费 ``unpaid`` — no class, an unpaid order that has not expired;
* 未报名 ``none`` — none of these.

Efficiency: the bureau dashboard is three grouped queries whatever the region's size (completion by
county × unit × grade rolled up in Python; order lines by day; qualifications by day); list pages
run a constant number of queries per page.

The reads are split by topic: ``scope`` (years, what an account may see), ``workers`` (the
worker rows of the unit HR list, the bureau drill-down and the exports) and ``completion`` (the
bureau dashboard and the completion tables).
"""
