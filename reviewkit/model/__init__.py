"""What a company declares.

Definitions (stages, metrics), rules, targets, scope, the actions register, exchange rates, its
seasonal pattern, and the starter files of a new workspace.
"""
