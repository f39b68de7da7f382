"""Sync the store straight from a CRM's API (HubSpot, Salesforce): no hand exports.

A *sync profile* (:mod:`.spec`) names the API objects to read and maps each onto the store with
an ordinary import profile whose columns are the API's property names. A *fetcher* (one per
API: :mod:`.hubspot`, :mod:`.salesforce`) reads the records changed since a cursor as
:class:`~.pages.Page` objects. The engine (:mod:`.engine`) lands each page through the same
mapping, quarantine, upsert and identity matching as a file import, applies deletes and merges,
and moves the cursor, one transaction per object (:mod:`.state` keeps cursors and the log).
"""
