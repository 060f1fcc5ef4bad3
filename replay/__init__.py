"""The replay server: a stand-in for ClinicalTrials.gov API v2 on 127.0.0.1 (tests, demo)."""
