import ReportCommands

MGDLReport.main()
