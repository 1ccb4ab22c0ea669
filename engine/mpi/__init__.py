"""Distributed runs: the rank-level driver (``distributed``), the ``mpiexec`` worker that streams
results (``worker``), the framing they share with the HTTP service (``frames``), and
``spikedesk mpi-server`` (``server``, ``server_command``). Nothing here imports mpi4py at import
time, so plain runs and the client never need it."""
