// KmonWorkload
