import ReportCommands


MGDLReport.main()
