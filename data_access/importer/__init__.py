"""Importing ITSM ticket and survey exports: forgiving reading, strict validation, idempotent upserts.

reader (files → text batches) and validate (text → typed rows or reasons) are pure; load does the
database writes; run ties them together one transaction per batch; report and cli present results.
"""
