// ReportSite module (being written).
