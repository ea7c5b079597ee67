"""cgjob's node fan-out over ClusterShell (see ../cgjob-nodes)."""
