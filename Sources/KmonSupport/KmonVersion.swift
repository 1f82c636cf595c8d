public enum KmonVersion { public static let string = "0.1.0" }
