from statusboard.interfaces.cli.main import main

raise SystemExit(main())
