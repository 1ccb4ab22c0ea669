"""Distributed runs. On the ranks: ``environment`` (is this an mpiexec launch?),
``distributed`` (one rank's share, the per-slice exchange, rank 0's merge) and ``worker``
(rank 0 streams frames to the server). On the server: ``server`` and ``server_command``
(``spikedesk mpi-server``), ``jobs`` and ``processes`` (one launch, its watchdog and its end),
``limits``. Shared: ``frames``, the wire format. Nothing here imports mpi4py at import time
except ``distributed`` (imported only under mpiexec), so plain runs and the client never need
it."""
