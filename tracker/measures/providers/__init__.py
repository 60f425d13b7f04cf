"""The legislation and rulemaking providers, one class each, registered in one table."""

from tracker.measures.providers.congress import Congress
from tracker.measures.providers.federal_register import FederalRegister
from tracker.measures.providers.legiscan import LegiScan
from tracker.measures.providers.openstates import OpenStates

PROVIDERS = {cls.code: cls for cls in (OpenStates, LegiScan, FederalRegister, Congress)}
