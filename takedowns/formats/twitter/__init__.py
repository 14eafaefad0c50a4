"""Twitter's information-operations archive: users and tweets CSVs, their statistics, coordination signals and charts."""

from .release import TWEET_COLUMNS, TWITTER, USER_COLUMNS

__all__ = ["TWEET_COLUMNS", "TWITTER", "USER_COLUMNS"]
