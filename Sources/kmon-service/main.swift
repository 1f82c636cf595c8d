print("kmon-service")
