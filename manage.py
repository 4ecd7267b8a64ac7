#!/usr/bin/env python
"""Same as the `takeup` console script, for those who expect manage.py."""

from takeup.cli import main

if __name__ == "__main__":
    main()
