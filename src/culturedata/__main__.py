from culturedata.cli import main

main()
