"""Boundary geometry: reading, validation, dissolving, simplification and topology.

Framework-free: nothing here imports the portal, the ETL or Flask, and nothing runs at
import. All CRS decisions live in ``geodata.crs``.
"""
