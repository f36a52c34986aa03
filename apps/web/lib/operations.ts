import { gql } from '@apollo/client';

export const ME = gql`
  query Me {
    me {
      id
      email
      displayName
    }
  }
`;

export const MY_TEAMS = gql`
  query MyTeams {
    myTeams {
      id
      name
      slug
      myRole
      createdAt
    }
  }
`;

export const SIGN_UP = gql`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      id
      email
      displayName
    }
  }
`;

export const SIGN_IN = gql`
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) {
      id
      email
      displayName
    }
  }
`;

export const SIGN_OUT = gql`
  mutation SignOut {
    signOut
  }
`;

export const CREATE_TEAM = gql`
  mutation CreateTeam($name: String!) {
    createTeam(input: { name: $name }) {
      id
      name
      slug
      myRole
      createdAt
    }
  }
`;

export const MY_TEAM_ADDED = gql`
  subscription MyTeamAdded {
    myTeamAdded {
      id
      name
      slug
      myRole
      createdAt
    }
  }
`;
