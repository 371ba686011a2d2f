"""Coaching (辅导): five-step coaching talks tied to each person's KPIs, and their follow-up."""
