import sys

from .cli import main

if __name__ == "__main__":  # not again in Dask's worker processes
    sys.exit(main())
