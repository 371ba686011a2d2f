"""The audit trail: who changed what, when, from which value to which, in the change's own transaction.

A model is audited when it declares `__audited__`: `True` when it carries its own `store_id` (or is a
store, a user, or the KPI catalogue), else the name of the object it belongs to, read through the
column `<name>_id` (`__audited__ = "meeting"` on an agenda item), whose history it then joins; an
object owned without a foreign key (an attachment) names that history itself as `audit_subject`
(type, id). The
features declare it; this package imports none of them. Rows a feature writes by a statement instead
of the ORM's flush (INSERT … RETURNING, UPDATE … WHERE version) it records itself with
`services.record_object` or `services.record`.

Each recorded change renews the kept figures and pages of its store (app/freshness.py); a model
names in `__shown_everywhere__` the columns whose change renews every store's (a person's name).
"""
