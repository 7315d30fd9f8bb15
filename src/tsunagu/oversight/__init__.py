"""Oversight: procedure inventory (棚卸), KPIs, systems and costs, the policy dashboard."""
