print("crucible-sh")
