// KmonBench
