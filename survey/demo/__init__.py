"""``survey demo``: create or reset a demo database with real-looking Swedish units,
rounds and answers.

The demo accounts (password ``demo``) exist only in the database this command builds.
"""

from survey.demo.build import build_demo
from survey.demo.command import demo, reset_database
from survey.demo.data import DEMO_PASSWORD
from survey.demo.world import DemoScale

__all__ = ["DEMO_PASSWORD", "DemoScale", "build_demo", "demo", "reset_database"]
