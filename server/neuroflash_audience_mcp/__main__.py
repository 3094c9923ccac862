from neuroflash_audience_mcp.cli import main

main()
