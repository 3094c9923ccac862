from audience_mcp.cli import main

main()
