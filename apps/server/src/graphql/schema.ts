/** The API's contract, schema first: resolvers only translate between this and the services. */
export const typeDefs = /* GraphQL */ `
  enum Role {
    OWNER
    ADMIN
    MEMBER
    VIEWER
  }

  type User {
    id: ID!
    email: String!
    displayName: String!
  }

  type Team {
    id: ID!
    name: String!
    slug: String!
    "The signed-in user's role in this team."
    myRole: Role!
    createdAt: String!
  }

  type Query {
    "The signed-in user, or null."
    me: User
    "Teams the signed-in user belongs to."
    myTeams: [Team!]!
  }

  input SignUpInput {
    email: String!
    displayName: String!
    password: String!
  }

  input SignInInput {
    email: String!
    password: String!
  }

  input CreateTeamInput {
    name: String!
  }

  type Mutation {
    "Creates an account and signs in (sets the session cookie)."
    signUp(input: SignUpInput!): User!
    signIn(input: SignInInput!): User!
    "Ends the current session; true even when there was none."
    signOut: Boolean!
    createTeam(input: CreateTeamInput!): Team!
  }

  type Subscription {
    "Fires with the team whenever the signed-in user joins or creates one."
    myTeamAdded: Team!
  }
`;
