// KmonLoad
