"""The audit trail: who changed what, when, from which value to which, in the change's own transaction.

A model is audited when it declares `__audited__`: `True` when it carries its own `store_id` (or is a
store, a user, or the KPI catalogue), else the name of its many-to-one relationship to the object it
belongs to (`__audited__ = "meeting"` on an agenda item), whose history it then joins. The features
declare it; this package imports none of them.
"""
