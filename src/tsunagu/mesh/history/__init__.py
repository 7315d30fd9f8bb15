"""やりとり履歴: every exchange about a person, as that person sees it."""
