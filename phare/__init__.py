"""What every Phare package shares and that belongs to none of them: the settings (`phare.settings`)."""
