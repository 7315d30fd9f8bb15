from tsunagu.mesh.node.runner import main

main()
