"""Building packs.

Request, plan, execute (papermill), render (nbconvert), publish, kernels, fingerprints,
schedule, batch and index page.
"""
